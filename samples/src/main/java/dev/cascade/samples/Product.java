package dev.cascade.samples;

import java.io.Serializable;

/**
 * A product's details: read often, changed rarely, and not by this application (read-through only).
 */
public record Product(String name, String description) implements Serializable {}
