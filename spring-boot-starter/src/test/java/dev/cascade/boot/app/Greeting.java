package dev.cascade.boot.app;

import java.io.Serializable;

/** An application's own cached class: not on Cascade's default allow-list. */
public record Greeting(String name, int serial) implements Serializable {}
