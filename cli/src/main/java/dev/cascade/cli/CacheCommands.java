package dev.cascade.cli;

import dev.cascade.CascadeAdmin;
import dev.cascade.CascadeAdmin.CacheInfo;
import dev.cascade.CascadeAdmin.DeadLetter;
import dev.cascade.CascadeAdmin.FlusherStatus;
import dev.cascade.CascadeAdmin.KeyStatus;
import dev.cascade.CascadeAdmin.PartitionStatus;
import dev.cascade.CascadeAdmin.QueueStatus;
import dev.cascade.CascadeAdmin.QueuedChange;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** The commands that look: {@code caches}, {@code queue}, {@code inspect}. */
final class CacheCommands {

  private CacheCommands() {}

  @Command(
      name = "caches",
      description =
          "List every cache in the Redis: types, codec, partitions, write-behind, entries.")
  static final class Caches implements Callable<Integer> {
    @ParentCommand CascadeCommand cascade;

    @Option(
        names = "--no-count",
        description = "Do not count entries (counting SCANs every entry key).")
    boolean noCount;

    @Override
    public Integer call() {
      try (CascadeAdmin admin = cascade.connect()) {
        List<CacheInfo> caches = admin.caches(!noCount);
        PrintWriter out = cascade.out();
        if (cascade.json) {
          out.println(Json.of(caches));
          return ExitCodes.OK;
        }
        if (caches.isEmpty()) {
          out.println("No Cascade caches in Redis at " + admin.server());
          return ExitCodes.OK;
        }
        Table t =
            new Table(
                "CACHE",
                "KEY TYPE",
                "VALUE TYPE",
                "CODEC",
                "PARTITIONS",
                "WRITE-BEHIND",
                "ENTRIES");
        for (CacheInfo c : caches) {
          t.row(
              c.name(),
              c.keyType(),
              c.valueType(),
              c.codec(),
              c.partitions(),
              c.writeBehind() ? "yes" : "no",
              c.entries() < 0 ? "-" : c.entries());
        }
        t.print(out);
        return ExitCodes.OK;
      }
    }
  }

  @Command(
      name = "queue",
      description =
          "Show a write-behind cache's queue: depth, unacknowledged records, oldest record and lease"
              + " holder per partition; the flushers and their heartbeats; the dead letters.")
  static final class Queue implements Callable<Integer> {
    @ParentCommand CascadeCommand cascade;

    @Parameters(index = "0", paramLabel = "CACHE")
    String cache;

    @Option(names = "--all", description = "Show empty partitions without a lease too.")
    boolean all;

    @Override
    public Integer call() {
      try (CascadeAdmin admin = cascade.connect()) {
        QueueStatus q = admin.queue(cache);
        PrintWriter out = cascade.out();
        if (cascade.json) {
          out.println(Json.of(q));
          return ExitCodes.OK;
        }
        long alive = q.flushers().stream().filter(FlusherStatus::alive).count();
        out.printf(
            "cache '%s': %d queued, oldest %s, %d dead letter%s, %d of %d flushers alive%n",
            q.cache(),
            q.depth(),
            q.oldestAgeMillis() < 0 ? "-" : q.oldestAgeMillis() + " ms ago",
            q.deadLetters(),
            q.deadLetters() == 1 ? "" : "s",
            alive,
            q.flushers().size());
        out.println();
        Table t =
            new Table(
                "PARTITION", "DEPTH", "UNACKED", "OLDEST", "LEASE HOLDER", "EPOCH", "LEASE TTL");
        int hidden = 0;
        for (PartitionStatus p : q.partitions()) {
          if (!all && p.depth() == 0 && p.leaseHolder() == null) {
            hidden++;
            continue;
          }
          t.row(
              p.partition(),
              p.depth(),
              p.unacknowledged(),
              p.oldestAgeMillis() < 0 ? "-" : p.oldestAgeMillis() + " ms",
              p.leaseHolder() == null ? "(free)" : p.leaseHolder(),
              p.leaseEpoch() < 0 ? "-" : p.leaseEpoch(),
              p.leaseExpiresInMillis() < 0 ? "-" : p.leaseExpiresInMillis() + " ms");
        }
        t.print(out);
        if (hidden > 0) {
          out.println(
              "(" + hidden + " empty partitions without a lease not shown; --all shows them)");
        }
        out.println();
        Table f = new Table("FLUSHER", "LAST HEARTBEAT", "ALIVE");
        for (FlusherStatus fl : q.flushers()) {
          f.row(
              fl.id(),
              fl.lastHeartbeatAgeMillis() < 0 ? "?" : fl.lastHeartbeatAgeMillis() + " ms ago",
              fl.alive() ? "yes" : "no");
        }
        if (q.flushers().isEmpty()) {
          out.println("No flusher has a heartbeat: no JVM with the writer has the cache open.");
        } else {
          f.print(out);
        }
        return ExitCodes.OK;
      }
    }
  }

  @Command(
      name = "inspect",
      description =
          "Show one key: value, expiry, native TTL, the records queued for it and its dead letters.")
  static final class Inspect implements Callable<Integer> {
    @ParentCommand CascadeCommand cascade;

    @Parameters(index = "0", paramLabel = "CACHE")
    String cache;

    @Parameters(
        index = "1",
        paramLabel = "KEY",
        description =
            "A String key as is, a Long/Integer key as a number, a byte[] key in hex; other key"
                + " types by their String form.")
    String key;

    @Option(names = "--hex-key", description = "KEY is the key's bytes in Redis, in hex.")
    boolean hexKey;

    @Override
    public Integer call() {
      try (CascadeAdmin admin = cascade.connect()) {
        KeyStatus k;
        if (hexKey) {
          byte[] bytes;
          try {
            bytes = HexFormat.of().parseHex(key);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--hex-key: '" + key + "' is not hex");
          }
          k = admin.inspectEncoded(cache, bytes);
        } else {
          k = admin.inspect(cache, key);
        }
        PrintWriter out = cascade.out();
        if (cascade.json) {
          out.println(Json.of(k));
          return ExitCodes.OK;
        }
        out.printf(
            "cache '%s', key %s (partition %d)%n", k.cache(), Shown.of(k.key()), k.partition());
        out.println(
            "  value:    "
                + (k.present()
                    ? Shown.of(k.value())
                    : k.pendingRecord() != null ? "(absent: a delete is pending)" : "(absent)"));
        out.println(
            "  expires:  " + (k.expiresAt() < 0 ? "never" : Instant.ofEpochMilli(k.expiresAt())));
        out.println(
            "  ttl:      "
                + (k.ttlMillis() == -2
                    ? "(no entry)"
                    : k.ttlMillis() < 0 ? "none" : k.ttlMillis() + " ms"));
        out.println("  pending:  " + (k.pendingRecord() == null ? "-" : k.pendingRecord()));
        out.println(k.queued().isEmpty() ? "  queued:   -" : "  queued:");
        for (QueuedChange q : k.queued()) {
          out.println(
              "    "
                  + q.id()
                  + (q.delete() ? " delete" : " put " + Shown.of(q.value()))
                  + (q.read() ? " (read by a flusher, being written)" : " (waiting)"));
        }
        out.println(k.deadLetters().isEmpty() ? "  dead letters: -" : "  dead letters:");
        for (DeadLetter d : k.deadLetters()) {
          out.println(
              "    "
                  + d.id()
                  + (d.delete() ? " delete" : " put " + Shown.of(d.value()))
                  + ", attempts "
                  + d.attempts()
                  + ": "
                  + Table.oneLine(String.valueOf(d.error())));
        }
        return ExitCodes.OK;
      }
    }
  }
}
