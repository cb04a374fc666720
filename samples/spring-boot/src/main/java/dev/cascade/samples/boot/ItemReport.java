package dev.cascade.samples.boot;

import java.io.Serializable;
import java.time.Instant;

/**
 * What {@code @Cacheable} keeps in the {@code item-reports} cache: one of the application's own
 * classes, which Cascade deserializes with no setting because the starter allows the application's
 * packages.
 */
public record ItemReport(long id, String summary, Instant computedAt) implements Serializable {}
