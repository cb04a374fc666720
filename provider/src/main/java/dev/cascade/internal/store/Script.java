package dev.cascade.internal.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * One Lua script from {@code src/main/resources/dev/cascade/internal/store}, with the SHA-1 that
 * {@code EVALSHA} calls it by. Scripts are loaded into Redis lazily: the first {@code NOSCRIPT}
 * reply makes {@link RedisAccess} send the body once with {@code EVAL}, which also caches it.
 */
public final class Script {

  /** Not a script: the operation log's functions, put before the scripts that keep the log. */
  private static final String OPLOG = "oplog";

  public static final Script MUTATE = load("mutate", OPLOG);
  public static final Script LOCK = load("lock");
  public static final Script UNLOCK = load("unlock");
  public static final Script REGISTER = load("register");
  public static final Script WITHDRAW = load("withdraw");
  public static final Script DESTROYED = load("destroyed");
  public static final Script ACK = load("ack");
  public static final Script LEASE = load("lease");
  public static final Script READ = load("read");
  public static final Script PLAIN = load("plain");
  public static final Script CHANGES = load("changes", OPLOG);

  /**
   * The shebang that declares, on Redis 7 and later, that a script may run over {@code maxmemory}.
   */
  private static final byte[] ALLOW_OOM =
      "#!lua flags=allow-oom\n".getBytes(StandardCharsets.US_ASCII);

  private final String name;
  private final byte[] body;
  private final String sha;
  private volatile Script allowingOom;

  private Script(String name, byte[] body) {
    this.name = name;
    this.body = body;
    this.sha = sha1Hex(body);
  }

  /**
   * The script {@code name.lua}, its text preceded by the texts of {@code preludes} (files of Lua
   * functions that several scripts share; Redis scripts cannot include one another).
   */
  public static Script load(String name, String... preludes) {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    for (String prelude : preludes) {
      text.writeBytes(read(prelude + ".lua"));
    }
    text.writeBytes(read(name + ".lua"));
    return new Script(name, text.toByteArray());
  }

  private static byte[] read(String resource) {
    try (InputStream in = Script.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Script " + resource + " is missing from the provider jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read script " + resource, e);
    }
  }

  public String name() {
    return name;
  }

  public byte[] body() {
    return body;
  }

  public String sha() {
    return sha;
  }

  /**
   * This script declaring the flag {@code allow-oom} (Redis 7 and later): Redis runs it, and every
   * command in it, even while its used memory is above {@code maxmemory}. Only for scripts that
   * must work then (renewing or taking a flush lease, forgetting flushed records: what shrinks the
   * queue) and that add next to nothing. Redis 6.2 cannot compile a script with flags.
   */
  public Script allowingOom() {
    Script variant = allowingOom;
    if (variant == null) {
      byte[] flagged = new byte[ALLOW_OOM.length + body.length];
      System.arraycopy(ALLOW_OOM, 0, flagged, 0, ALLOW_OOM.length);
      System.arraycopy(body, 0, flagged, ALLOW_OOM.length, body.length);
      variant = new Script(name, flagged);
      allowingOom = variant;
    }
    return variant;
  }

  private static String sha1Hex(byte[] body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(body);
      StringBuilder sb = new StringBuilder(40);
      for (byte b : digest) {
        sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return name + ".lua";
  }
}
