package dev.cascade.samples;

import java.io.Serializable;

/**
 * A user's profile as the cache holds it. Cascade stores by value, so the value type is serialized;
 * being the cache's declared value type also puts it on the deserialization allow-list.
 */
public record UserProfile(String name, String email) implements Serializable {}
