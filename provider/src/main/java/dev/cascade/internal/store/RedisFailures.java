package dev.cascade.internal.store;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.cache.CacheException;

/**
 * The one place where a failure of Redis or of the connection to it becomes a
 * {@link CacheException} that names the server, the operation and, where Redis says so, the
 * reason (a read-only replica after a failover, a server still loading its data, a key of the
 * wrong type).
 */
public final class RedisFailures {

  private RedisFailures() {
  }

  public static boolean isNoScript(Throwable t) {
    Throwable c = unwrap(t);
    return c instanceof RedisNoScriptException
        || (c instanceof RedisCommandExecutionException && String.valueOf(c.getMessage()).startsWith("NOSCRIPT"));
  }

  public static CacheException translate(Throwable failure, String server, String what) {
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
    } else if (t instanceof io.lettuce.core.cluster.PartitionSelectorException) {
      reason = "has no master for the slot of this key in the topology this client knows (a failover may be in"
          + " progress; the topology is being read again): " + message;
    } else if (message.startsWith("CLUSTERDOWN")) {
      reason = "reports the cluster down (a master failed and no replica has taken over yet): " + message;
    } else if (message.startsWith("READONLY")) {
      reason = "is a read-only replica (a failover may be in progress): " + message;
    } else if (message.startsWith("LOADING")) {
      reason = "is still loading its data set: " + message;
    } else if (message.startsWith("WRONGTYPE")) {
      reason = "holds a key of another type where Cascade expects its own (" + message
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

  static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
