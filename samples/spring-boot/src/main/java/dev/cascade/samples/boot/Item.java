package dev.cascade.samples.boot;

import java.io.Serializable;

/** An item of the inventory: a row of the items table, and a value of the {@code items} cache. */
public record Item(long id, String name, int quantity) implements Serializable {}
