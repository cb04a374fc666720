package dev.cascade.internal.store;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.cluster.PartitionSelectorException;
import java.io.IOException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import javax.cache.CacheException;
import javax.net.ssl.SSLException;

/**
 * The one place where a failure of Redis or of the connection to it becomes a {@link
 * CacheException} that names the server, the operation and, where Redis says so, the reason (a
 * read-only replica after a failover, a server still loading its data, a key of the wrong type).
 */
public final class RedisFailures {

  private RedisFailures() {}

  public static boolean isNoScript(Throwable t) {
    Throwable c = unwrap(t);
    return c instanceof RedisNoScriptException
        || (c instanceof RedisCommandExecutionException
            && String.valueOf(c.getMessage()).startsWith("NOSCRIPT"));
  }

  /**
   * Whether Redis Cluster refused a command on several keys of one slot while the slot is being
   * moved and its keys are split between the two nodes ({@code -TRYAGAIN}): nothing ran, and the
   * same command succeeds once the keys are together again.
   */
  public static boolean isTryAgain(Throwable t) {
    Throwable c = unwrap(t);
    return c instanceof RedisCommandExecutionException
        && String.valueOf(c.getMessage()).startsWith("TRYAGAIN");
  }

  /**
   * Whether Redis refused a command because its used memory is above {@code maxmemory} (and its
   * policy evicts nothing that would make room): {@code -OOM}, or a script's error that wraps it.
   */
  public static boolean isOutOfMemory(Throwable t) {
    return String.valueOf(unwrap(t).getMessage()).contains("OOM command not allowed");
  }

  /**
   * Whether Redis could not compile a script because of its flags line ({@code #!lua flags=...}): a
   * server older than 7.0.
   */
  public static boolean isScriptFlagsUnsupported(Throwable t) {
    String m = String.valueOf(unwrap(t).getMessage());
    return m.contains("Error compiling script") && m.contains("near '#'");
  }

  /**
   * Whether a failure says that a change Redis applied was not confirmed by enough replicas in time
   * ({@link ReplicatedWrites.NotReplicated}): the replicas are lagging or unreachable.
   */
  public static boolean meansReplicasMissing(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 8; t = t.getCause(), depth++) {
      if (t instanceof ReplicatedWrites.NotReplicated) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a failure says that Redis cannot be reached now (no connection, no reply in time, the
   * command dropped with the connection), rather than that it refused the command.
   */
  public static boolean meansUnreachable(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 8; t = t.getCause(), depth++) {
      if (t instanceof RedisCommandTimeoutException
          || t instanceof RedisConnectionException
          || t instanceof CancellationException
          || t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when the connection dropped under a command (a reset or closed channel, a disconnect):
   * Redis may or may not have run it. Not a timeout (Redis may still run it) and not an error reply
   * (Redis answered).
   */
  public static boolean isConnectionLoss(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof RedisCommandExecutionException || t instanceof RedisCommandTimeoutException) {
      return false;
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IOException || c instanceof RedisConnectionException) {
        return true;
      }
      String m = String.valueOf(c.getMessage());
      if (c instanceof RedisException
          && (m.startsWith("Connection closed")
              || m.startsWith("Connection disconnected")
              || m.startsWith("Currently not connected"))) {
        return true;
      }
    }
    return false;
  }

  public static CacheException translate(Throwable failure, String server, String what) {
    return translate(failure, server, what, () -> null);
  }

  /**
   * @param memoryLimit describes the server's {@code maxmemory} setting, asked only when Redis is
   *     out of memory (null when unknown)
   */
  public static CacheException translate(
      Throwable failure, String server, String what, Supplier<String> memoryLimit) {
    Throwable t = unwrap(failure);
    if (t instanceof CacheException) {
      return (CacheException) t;
    }
    String message = String.valueOf(t.getMessage());
    String reason;
    if (t instanceof RedisCommandTimeoutException) {
      reason = "did not answer in time";
    } else if (t instanceof RedisConnectionException) {
      reason = "cannot be reached (" + message + ")";
    } else if (t instanceof RedisCommandInterruptedException || t instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      reason = "was not waited for: the calling thread was interrupted";
    } else if (t instanceof CancellationException) {
      reason = "dropped the command (connection reset)";
    } else if (t instanceof PartitionSelectorException) {
      reason =
          "has no master for the slot of this key in the topology this client knows (a failover may be in"
              + " progress; the topology is being read again): "
              + message;
    } else if (isOutOfMemory(t)) {
      String limit = memoryLimit.get();
      reason =
          "is out of memory: its used memory is above its maxmemory setting"
              + (limit == null ? "" : " (" + limit + ")")
              + ", so it refuses every change that needs memory until some is freed ("
              + message.trim()
              + "). A write-behind"
              + " queue gives its memory back as the database takes its records; otherwise raise maxmemory or free memory";
    } else if (message.startsWith("CLUSTERDOWN")) {
      reason =
          "reports the cluster down (a master failed and no replica has taken over yet): "
              + message;
    } else if (message.startsWith("READONLY")) {
      reason = "is a read-only replica (a failover may be in progress): " + message;
    } else if (message.startsWith("LOADING")) {
      reason = "is still loading its data set: " + message;
    } else if (message.startsWith("WRONGTYPE")) {
      reason =
          "holds a key of another type where Cascade expects its own ("
              + message
              + "); is another program writing under the cascade: prefix?";
    } else if (message.startsWith("NOAUTH") || message.startsWith("WRONGPASS")) {
      reason = "refused the credentials: " + message;
    } else if (t instanceof RedisException) {
      reason = "failed: " + message;
    } else {
      reason = "failed: " + t;
    }
    return new CacheException("Redis at " + server + " " + reason + " (while " + what + ")", t);
  }

  /**
   * Why {@code getCacheManager} could not connect to {@code target}: for a failed TLS handshake,
   * which side refused whom and which setting decides it; otherwise the address to check.
   */
  static CacheException connectFailure(Throwable failure, RedisTarget target) {
    Throwable t = unwrap(failure);
    String tls = target.isTls() ? tlsFailure(t, target.tls()) : null;
    if (tls != null) {
      return new CacheException("Cannot connect to Redis at " + target + ": " + tls, failure);
    }
    String refusal = credentialsRefusal(t);
    if (refusal != null) {
      // the server is there: Lettuce reports the refused AUTH of its handshake as "Unable to
      // connect", which would send the operator looking for a server that runs
      return new CacheException(
          "Cannot connect to Redis at "
              + target
              + ": the server refused the credentials ("
              + refusal
              + "). Check the user and password in the URI, or the server's ACL user and"
              + " requirepass.",
          failure);
    }
    return new CacheException(
        "Cannot connect to Redis at "
            + target
            + ": "
            + t.getMessage()
            + ". Is redis-server running there? Set the CacheManager URI, the system property"
            + " cascade.redis.uri or the environment variable CASCADE_REDIS_URI to its address.",
        failure);
  }

  /** The server's refusal of the credentials somewhere in the cause chain, or null. */
  private static String credentialsRefusal(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      String m = c.getMessage();
      if (m != null
          && (m.startsWith("WRONGPASS")
              || m.startsWith("NOAUTH")
              || m.startsWith("ERR invalid password")
              || m.startsWith("ERR AUTH"))) {
        return m;
      }
    }
    return null;
  }

  /**
   * The TLS handshake's failure in terms of the settings, or null when {@code t} is no TLS failure.
   * Lettuce wraps the JDK's exception ({@code RedisConnectionException} over an {@code
   * SSLHandshakeException} over the certificate path's), so the cause chain is searched.
   */
  private static String tlsFailure(Throwable t, TlsStores stores) {
    Throwable handshake = find(t, SSLException.class);
    if (handshake == null) {
      return null;
    }
    String reason = handshake.getMessage();
    // by name: Netty is Lettuce's dependency, not ours
    if (handshake
        .getClass()
        .getName()
        .equals("io.netty.handler.ssl.SslHandshakeTimeoutException")) {
      // a plain port reads the TLS hello as the start of a command and waits for the rest
      return "the server did not answer the TLS handshake ("
          + reason
          + "). Does it listen for TLS on this port?"
          + " A plain port does not answer a TLS client: use the port of the server's tls-port setting, or"
          + " redis:// for a plain port";
    }
    if (find(t, CertPathBuilderException.class) != null
        || find(t, CertPathValidatorException.class) != null) {
      String trust =
          stores.truststore() != null
              ? stores.truststore().describe("truststore")
              : "the JVM's default truststore: set cascade.redis.tls.truststore to a truststore holding the"
                  + " certificate of the authority that signed the server's certificate";
      return "the TLS handshake failed: the server's certificate is not trusted by "
          + trust
          + " ("
          + reason
          + ")";
    }
    if (find(t, CertificateException.class) != null) {
      if (reason != null && reason.contains("matching")) {
        return "the TLS handshake failed: the server's certificate is not for the host the URI names ("
            + reason
            + "). Connect by a name or address the certificate lists, or give the server a certificate for this"
            + " host";
      }
      return "the TLS handshake failed: the server's certificate was refused (" + reason + ")";
    }
    if (reason != null && reason.startsWith("Received fatal alert")) {
      // the server's verdict on this client: no certificate, or one it does not trust
      if (stores.keystore() == null) {
        return "the server refused the TLS connection ("
            + reason
            + "); if it asks for client certificates"
            + " (tls-auth-clients yes), set cascade.redis.tls.keystore to a keystore with a certificate it trusts";
      }
      return "the server refused the TLS connection ("
          + reason
          + "); is the client certificate in "
          + stores.keystore().describe("keystore")
          + " signed by an authority the server trusts (its tls-ca-cert-file)?";
    }
    return "the TLS handshake failed (" + reason + ")";
  }

  private static Throwable find(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return c;
      }
    }
    return null;
  }

  static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
