/**
 * The Redis data layout of a cache, its Lua scripts and the connection: the only code that issues
 * Redis commands for entries. Knows bytes, not keys or values; must not call user code.
 */
package dev.cascade.store;
