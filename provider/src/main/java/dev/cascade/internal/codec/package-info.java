/**
 * The codecs Cascade ships (direct forms for strings, numbers and bytes; tagged forms; Java
 * serialization behind an allow-list and limits) and how one is chosen for a cache's declared
 * types. Pure functions: must not talk to Redis or know about caches. Internal.
 */
package dev.cascade.internal.codec;
