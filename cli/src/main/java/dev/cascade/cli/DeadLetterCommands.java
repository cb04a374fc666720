package dev.cascade.cli;

import dev.cascade.CascadeAdmin;
import dev.cascade.CascadeAdmin.DeadLetter;
import dev.cascade.CascadeAdmin.ReplayResult;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The dead-letter commands: {@code dead-letters}, {@code replay}, {@code purge}. */
final class DeadLetterCommands {

  private DeadLetterCommands() {}

  @Command(
      name = "dead-letters",
      description =
          "List a write-behind cache's dead letters, oldest first: key, put or delete, value"
              + " (decoded where the cache's types and the allow-list allow), attempts, error.")
  static final class List implements Callable<Integer> {
    @ParentCommand CascadeCommand cascade;

    @Parameters(index = "0", paramLabel = "CACHE")
    String cache;

    @Option(
        names = "--max",
        defaultValue = "100",
        description = "At most this many (default ${DEFAULT-VALUE}).")
    int max;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (max < 1) {
        throw new ParameterException(spec.commandLine(), "--max must be positive, not " + max);
      }
      try (CascadeAdmin admin = cascade.connect()) {
        java.util.List<DeadLetter> letters = admin.deadLetters(cache, max);
        PrintWriter out = cascade.out();
        if (cascade.json) {
          out.println(Json.of(letters));
          return ExitCodes.OK;
        }
        if (letters.isEmpty()) {
          out.println("Cache '" + cache + "' has no dead letters.");
          return ExitCodes.OK;
        }
        Table t = new Table("ID", "DEAD-LETTERED", "KEY", "OP", "VALUE", "ATTEMPTS", "ERROR");
        for (DeadLetter d : letters) {
          t.row(
              d.id(),
              Instant.ofEpochMilli(d.deadAt()),
              Shown.of(d.key()),
              d.delete() ? "delete" : "put",
              d.delete() ? "-" : Shown.of(d.value()),
              d.attempts(),
              d.error());
        }
        t.print(out);
        return ExitCodes.OK;
      }
    }
  }

  /** The dead letters a command acts on: ids, or --all (exactly one of the two). */
  abstract static class Selection {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CACHE")
    String cache;

    @Parameters(index = "1..*", paramLabel = "ID", description = "Dead-letter ids.")
    java.util.List<String> ids = new ArrayList<>();

    @Option(names = "--all", description = "Every dead letter there is now.")
    boolean all;

    /** Refuses a command line that names ids and --all, or neither (exit code 2). */
    void requireOneSelection() {
      if (all == !ids.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(),
            all
                ? "Give dead-letter ids or --all, not both"
                : "Give the dead-letter ids (see: cascade dead-letters " + cache + "), or --all");
      }
    }
  }

  @Command(
      name = "replay",
      description =
          "Queue dead letters again, oldest first. A letter is queued only while the cache still"
              + " holds what it would write (same value; for a delete, no entry), so a replay never"
              + " takes the database back to an older value; otherwise it is SUPERSEDED and"
              + " removed.")
  static final class Replay extends Selection implements Callable<Integer> {
    @ParentCommand CascadeCommand cascade;

    @Override
    public Integer call() {
      requireOneSelection();
      try (CascadeAdmin admin = cascade.connect()) {
        java.util.List<CascadeAdmin.Replay> replays =
            all ? admin.replayAll(cache) : admin.replay(cache, new ArrayList<>(ids));
        PrintWriter out = cascade.out();
        Map<ReplayResult, Integer> counts = new EnumMap<>(ReplayResult.class);
        for (CascadeAdmin.Replay r : replays) {
          counts.merge(r.result(), 1, Integer::sum);
        }
        if (cascade.json) {
          out.println(Json.of(replays));
        } else {
          Table t = new Table("ID", "KEY", "RESULT", "DETAIL");
          for (CascadeAdmin.Replay r : replays) {
            t.row(r.id(), Shown.of(r.key()), r.result(), r.detail());
          }
          if (!replays.isEmpty()) {
            t.print(out);
          }
          out.printf(
              "%d replayed, %d superseded, %d not found, %d queue full%n",
              counts.getOrDefault(ReplayResult.REPLAYED, 0),
              counts.getOrDefault(ReplayResult.SUPERSEDED, 0),
              counts.getOrDefault(ReplayResult.NOT_FOUND, 0),
              counts.getOrDefault(ReplayResult.QUEUE_FULL, 0));
        }
        boolean incomplete =
            counts.containsKey(ReplayResult.NOT_FOUND)
                || counts.containsKey(ReplayResult.QUEUE_FULL);
        return incomplete ? ExitCodes.INCOMPLETE : ExitCodes.OK;
      }
    }
  }

  @Command(name = "purge", description = "Delete dead letters without writing them.")
  static final class Purge extends Selection implements Callable<Integer> {
    @ParentCommand CascadeCommand cascade;

    @Override
    public Integer call() {
      requireOneSelection();
      try (CascadeAdmin admin = cascade.connect()) {
        long purged = all ? admin.purgeAll(cache) : admin.purge(cache, new ArrayList<>(ids));
        PrintWriter out = cascade.out();
        if (cascade.json) {
          out.println("{\"purged\":" + purged + "}");
        } else {
          out.println("purged " + purged + " dead letter" + (purged == 1 ? "" : "s"));
        }
        return !all && purged < ids.size() ? ExitCodes.INCOMPLETE : ExitCodes.OK;
      }
    }
  }
}
