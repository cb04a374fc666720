/**
 * The codecs Cascade ships (direct forms for strings, numbers and bytes; tagged forms; Java
 * serialization behind an allow-list and limits) and how one is chosen for a cache's declared
 * types; what the allow-list holds without settings (the JDK value types, {@link
 * dev.cascade.internal.codec.FrameworkProfiles}, {@link
 * dev.cascade.internal.codec.ApplicationPackages}), and values authenticated with an HMAC ({@link
 * dev.cascade.internal.codec.ValueTags}). Must not talk to Redis or know about caches; its only
 * state is the main class's package, derived once per JVM. Internal.
 */
package dev.cascade.internal.codec;
