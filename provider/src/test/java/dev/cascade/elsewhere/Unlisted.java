package dev.cascade.elsewhere;

import java.io.Serializable;

/**
 * A value class on no allow-list: outside the tests' application package, not declared by the
 * caches that store it. Only an authenticated value may hold it.
 */
public record Unlisted(String text) implements Serializable {}
