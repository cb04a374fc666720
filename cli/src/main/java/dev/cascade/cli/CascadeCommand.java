package dev.cascade.cli;

import dev.cascade.CascadeAdmin;
import java.io.PrintWriter;
import java.util.Properties;
import javax.cache.CacheException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code cascade}: look at and repair the Cascade caches in one Redis.
 *
 * <pre>
 * cascade [--uri redis://...] [--json] caches | queue CACHE | dead-letters CACHE
 *         | replay CACHE (ID... | --all) | purge CACHE (ID... | --all) | inspect CACHE KEY
 * </pre>
 *
 * The Redis is {@code --uri}, else the system property {@code cascade.redis.uri}, else the
 * environment variable {@code CASCADE_REDIS_URI}, else {@code redis://127.0.0.1:6379}; like a
 * CacheManager URI it may also name a configuration file ({@code file:cascade.properties}) with TLS
 * and allow-list settings. Exit codes: {@link ExitCodes}.
 */
@Command(
    name = "cascade",
    mixinStandardHelpOptions = true,
    versionProvider = CascadeCommand.Version.class,
    description = "Look at and repair the Cascade caches in one Redis.",
    subcommands = {
      CacheCommands.Caches.class,
      CacheCommands.Queue.class,
      DeadLetterCommands.List.class,
      DeadLetterCommands.Replay.class,
      DeadLetterCommands.Purge.class,
      CacheCommands.Inspect.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:not everything happened (a dead letter not found, or its queue full)",
      "2:wrong command line",
      "3:no such cache, not a write-behind cache, or not a key of the cache",
      "4:Redis unreachable or failing",
      "70:unexpected failure"
    })
public final class CascadeCommand {

  /** Unexpected failure (sysexits' EX_SOFTWARE). */
  static final int INTERNAL = 70;

  @Spec CommandSpec spec;

  @Option(
      names = {"-u", "--uri"},
      scope = ScopeType.INHERIT,
      paramLabel = "URI",
      description =
          "Redis URI (redis://, rediss://, redis-sentinel://, redis-cluster://) or configuration"
              + " file (file:, classpath:). Default: system property cascade.redis.uri, else"
              + " environment variable CASCADE_REDIS_URI, else redis://127.0.0.1:6379.")
  String uri;

  @Option(
      names = "--json",
      scope = ScopeType.INHERIT,
      description = "Print JSON instead of tables.")
  boolean json;

  @Option(
      names = "--allow",
      scope = ScopeType.INHERIT,
      paramLabel = "PATTERNS",
      description =
          "Classes values may be deserialized as, besides the JDK's (cascade.codec.allow syntax,"
              + " e.g. com.acme.model.*); their jars must be on the class path.")
  String allow;

  /** Runs the command line; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new CascadeCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, command, parsed) -> {
          command.getErr().println("cascade: " + e.getMessage());
          command.getErr().flush();
          if (e instanceof IllegalArgumentException) {
            return ExitCodes.NOT_FOUND;
          }
          if (e instanceof CacheException) {
            return ExitCodes.REDIS;
          }
          e.printStackTrace(command.getErr());
          return INTERNAL;
        });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  public static void main(String[] args) {
    int code = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    System.exit(code);
  }

  /** Connects to the Redis named by {@code --uri} (or the default). */
  CascadeAdmin connect() {
    String target = uri;
    if (target == null || target.isBlank()) {
      target = System.getProperty("cascade.redis.uri");
    }
    if (target == null || target.isBlank()) {
      target = System.getenv("CASCADE_REDIS_URI");
    }
    if (target == null || target.isBlank()) {
      target = "redis://127.0.0.1:6379";
    }
    Properties properties = new Properties();
    if (allow != null) {
      properties.setProperty("cascade.codec.allow", allow);
    }
    return CascadeAdmin.connect(target.trim(), properties);
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** The version in the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = CascadeCommand.class.getPackage().getImplementationVersion();
      return new String[] {"cascade " + (v == null ? "(development build)" : v)};
    }
  }
}
