package dev.cascade.internal.codec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's own packages, whose classes Java deserialization may create without any
 * setting: the package of the class whose {@code main} started the JVM and its sub-packages (the
 * convention of Spring Boot's {@code @SpringBootApplication}, whose auto-configuration package is
 * the main class's), plus packages a framework integration names.
 *
 * <p>The main class comes from the launcher's {@code sun.java.command} (a class name, {@code
 * module/class}, or a jar whose manifest names {@code Start-Class}, Spring Boot's, or {@code
 * Main-Class}), else from the bottom frame of the {@code main} thread. A package is refused when it
 * is too broad to stand for one application: fewer than two segments, or a library's namespace (the
 * JDK, application servers, build tools and test runners, frameworks), because then the main class
 * is a launcher's ({@code org.apache.catalina.startup.Bootstrap}, {@code
 * org.apache.maven.surefire.booter.ForkedBooter}) and its packages hold no application classes, but
 * may hold gadgets.
 *
 * <p>Integrations (a Spring Boot starter, with its {@code AutoConfigurationPackages}) name packages
 * with the CacheManager property {@value #PROPERTY} ({@code com.acme.shop,com.acme.billing}); the
 * same refusal applies. What was derived is logged once per JVM at INFO.
 *
 * <p>Thread-safe: the main class is derived once, lazily.
 */
public final class ApplicationPackages {

  /**
   * The CacheManager (or system) property with more application packages, for integrations that
   * know them better than the main class does: {@value}. Packages, not patterns: {@code com.acme}
   * allows {@code com.acme.**}.
   */
  public static final String PROPERTY = "cascade.codec.application-packages";

  private static final Logger LOG = LoggerFactory.getLogger(ApplicationPackages.class);

  /**
   * Namespaces of libraries, launchers and the JDK. A package equal to one of these, inside one, or
   * covering one (its {@code .**} would match it) is no application's own.
   */
  static final List<String> LIBRARY_NAMESPACES =
      List.of(
          "java",
          "javax",
          "jakarta",
          "jdk",
          "sun",
          "com.sun",
          "com.oracle",
          "oracle",
          "org.ietf",
          "org.omg",
          "org.w3c",
          "org.xml",
          "org.apache",
          "org.springframework",
          "org.hibernate",
          "org.jboss",
          "org.wildfly",
          "org.eclipse",
          "org.glassfish",
          "org.codehaus",
          "org.gradle",
          "worker.org.gradle",
          "org.junit",
          "junit",
          "org.testng",
          "org.jetbrains",
          "com.intellij",
          "kotlin",
          "kotlinx",
          "scala",
          "groovy",
          "org.groovy",
          "clojure",
          "io.netty",
          "io.lettuce",
          "reactor",
          "io.micrometer",
          "io.quarkus",
          "io.micronaut",
          "io.dropwizard",
          "io.vertx",
          "com.fasterxml",
          "com.google",
          "org.slf4j",
          "ch.qos",
          "org.yaml",
          "com.zaxxer",
          "org.mariadb",
          "com.mysql",
          "org.postgresql",
          "org.h2",
          "net.bytebuddy",
          "org.objectweb",
          "org.aspectj",
          "org.jsr107",
          "org.mockito",
          // Cascade itself: the provider's packages, but not a sample or application under
          // dev.cascade
          "dev.cascade.internal",
          "dev.cascade.codec",
          "dev.cascade.config",
          "dev.cascade.writebehind",
          "dev.cascade.jdbc");

  /** Cascade's root package holds the provider's surface: not an application's. */
  private static final String CASCADE_ROOT = "dev.cascade";

  private static volatile Derived derived;

  private ApplicationPackages() {}

  /**
   * The patterns ({@code com.acme.**}) for the application's packages: the main class's, derived
   * once per JVM, and those {@code configured} names ({@value #PROPERTY}: the CacheManager's
   * property, else the system property). Packages refused as too broad are left out, with a warning
   * for configured ones.
   */
  public static List<String> patterns(String configured) {
    Set<String> packages = new LinkedHashSet<>();
    String main = derived().pkg;
    if (main != null) {
      packages.add(main);
    }
    String named = configured != null ? configured : System.getProperty(PROPERTY);
    for (String p : SerializationFilter.parse(named)) {
      String pkg = p.endsWith(".**") ? p.substring(0, p.length() - 3) : p;
      String refusal = tooBroad(pkg);
      if (refusal == null) {
        packages.add(pkg);
      } else {
        LOG.warn(
            "Not allowing deserialization of package {} named by {}: {}. Allow exact classes or"
                + " narrower packages with cascade.codec.allow instead.",
            pkg,
            PROPERTY,
            refusal);
      }
    }
    List<String> patterns = new ArrayList<>();
    for (String pkg : packages) {
      patterns.add(pkg + ".**");
    }
    return Collections.unmodifiableList(patterns);
  }

  /** The package derived from the main class, or null; derived and logged once per JVM. */
  public static String mainPackage() {
    return derived().pkg;
  }

  private static Derived derived() {
    Derived d = derived;
    if (d == null) {
      synchronized (ApplicationPackages.class) {
        d = derived;
        if (d == null) {
          d = derive(mainClassName());
          derived = d;
          LOG.info(d.message());
        }
      }
    }
    return d;
  }

  /** What deriving from {@code mainClass} gives: a package, or null with the reason. */
  static Derived derive(String mainClass) {
    if (mainClass == null || mainClass.isBlank()) {
      return new Derived(
          null,
          "Deserialization: the application's main class is unknown, so no application package is"
              + " allowed by default; allow yours with cascade.codec.allow=com.acme.**");
    }
    int dot = mainClass.lastIndexOf('.');
    String pkg = dot < 0 ? "" : mainClass.substring(0, dot);
    String refusal = tooBroad(pkg);
    if (refusal != null) {
      return new Derived(
          null,
          "Deserialization: not allowing the package of the main class "
              + mainClass
              + " by default: "
              + refusal
              + ". Allow the application's classes with cascade.codec.allow=com.acme.**");
    }
    return new Derived(
        pkg,
        "Deserialization: allowing the application's own classes, "
            + pkg
            + ".** (the package of the main class "
            + mainClass
            + "), in values read from Redis; cascade.codec.strict=true turns this off");
  }

  /** Why {@code pkg} is too broad to stand for one application, or null when it is not. */
  static String tooBroad(String pkg) {
    if (pkg == null || pkg.isEmpty()) {
      return "it is the default package";
    }
    if (pkg.indexOf('.') < 0) {
      return pkg + " has fewer than two segments";
    }
    if (pkg.equals(CASCADE_ROOT)) {
      return pkg + " is Cascade's own";
    }
    for (String ns : LIBRARY_NAMESPACES) {
      if (pkg.equals(ns) || pkg.startsWith(ns + ".")) {
        return pkg + " is in the namespace " + ns + " of a library, launcher or the JDK";
      }
      if (ns.startsWith(pkg + ".")) {
        return pkg + " would cover the namespace " + ns + " of a library";
      }
    }
    return null;
  }

  /** The main class's name, as the launcher reports it; null when it cannot be told. */
  static String mainClassName() {
    String module = System.getProperty("jdk.module.main.class");
    if (module != null && !module.isBlank()) {
      return module.trim();
    }
    String fromCommand = fromCommand(System.getProperty("sun.java.command"));
    return fromCommand != null ? fromCommand : fromMainThread();
  }

  /**
   * The main class named by {@code sun.java.command}: {@code com.acme.App args}, {@code
   * module/com.acme.App args}, or {@code /path/app.jar args} (the jar's manifest says).
   */
  static String fromCommand(String command) {
    if (command == null || command.isBlank()) {
      return null;
    }
    String c = command.trim();
    int jar = c.indexOf(".jar");
    if (jar > 0 && (c.length() == jar + 4 || c.charAt(jar + 4) == ' ')) {
      return fromJar(Path.of(c.substring(0, jar + 4)));
    }
    int space = c.indexOf(' ');
    String first = space < 0 ? c : c.substring(0, space);
    int slash = first.indexOf('/');
    if (slash >= 0) {
      first = first.substring(slash + 1);
    }
    return isClassName(first) ? first : null;
  }

  /**
   * {@code Start-Class} (a Spring Boot jar, whose {@code Main-Class} is its launcher), else {@code
   * Main-Class}.
   */
  static String fromJar(Path jar) {
    if (!Files.isRegularFile(jar)) {
      return null;
    }
    try (JarFile file = new JarFile(jar.toFile(), false)) {
      Manifest manifest = file.getManifest();
      if (manifest == null) {
        return null;
      }
      Attributes main = manifest.getMainAttributes();
      String start = main.getValue("Start-Class");
      String name = start != null ? start : main.getValue(Attributes.Name.MAIN_CLASS);
      return name != null && isClassName(name.trim()) ? name.trim() : null;
    } catch (IOException | SecurityException e) {
      return null;
    }
  }

  /** The class of the bottom frame of the thread named {@code main}, if it runs a {@code main}. */
  private static String fromMainThread() {
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      StackTraceElement[] stack = e.getValue();
      if ("main".equals(e.getKey().getName()) && stack.length > 0) {
        StackTraceElement bottom = stack[stack.length - 1];
        if ("main".equals(bottom.getMethodName())) {
          return bottom.getClassName();
        }
      }
    }
    return null;
  }

  private static boolean isClassName(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (String part : s.split("\\.", -1)) {
      if (part.isEmpty() || !Character.isJavaIdentifierStart(part.charAt(0))) {
        return false;
      }
      for (int i = 1; i < part.length(); i++) {
        if (!Character.isJavaIdentifierPart(part.charAt(i))) {
          return false;
        }
      }
    }
    return true;
  }

  /** A derived package (null when refused) and the line that says so. */
  record Derived(String pkg, String message) {}
}
