package dev.cascade.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider on a class path without an optional jar, as a user without it has it: the provider's
 * classes are loaded again by a class loader over the test class path minus that jar (its parent is
 * the platform loader, so nothing leaks in from the test's own loader). A YAML file without
 * SnakeYAML, or a data source without DBCP2, then fails with the artifact to add; a properties file
 * still works.
 */
class WithoutOptionalJarsTest {

  @TempDir Path dir;

  private static URLClassLoader withoutSnakeYaml() throws Exception {
    return without("snakeyaml");
  }

  private static URLClassLoader without(String jar) throws Exception {
    List<URL> urls = new ArrayList<>();
    int hidden = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (new File(entry).getName().startsWith(jar)) {
        hidden++;
        continue;
      }
      urls.add(new File(entry).toURI().toURL());
    }
    assertEquals(1, hidden, "the test class path holds the " + jar + " jar once");
    return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
  }

  private static Object resolve(ClassLoader loader, URI uri) throws Throwable {
    Class<?> settings = Class.forName(ManagerSettings.class.getName(), true, loader);
    Method resolve = settings.getMethod("resolve", URI.class, ClassLoader.class, Properties.class);
    try {
      return resolve.invoke(null, uri, loader, null);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void yamlFile_withoutSnakeYaml_failsNamingTheArtifact() throws Exception {
    Path yaml = dir.resolve("cascade.yaml");
    Files.writeString(yaml, "cascade:\n  partitions: 4\n");
    try (URLClassLoader loader = withoutSnakeYaml()) {
      assertThrows(
          ClassNotFoundException.class,
          () -> Class.forName("org.yaml.snakeyaml.Yaml", false, loader),
          "the loader really hides SnakeYAML");
      Throwable e = assertThrows(Throwable.class, () -> resolve(loader, yaml.toUri()));
      assertEquals("javax.cache.CacheException", e.getClass().getName(), e.toString());
      assertTrue(
          e.getMessage()
              .endsWith(
                  "cascade.yaml' is YAML, and reading YAML needs SnakeYAML, which is not on the class"
                      + " path: add org.yaml:snakeyaml (2.x) to your dependencies, or write the same"
                      + " settings as a .properties file (cascade.caches.users.expiry.created=10m),"
                      + " which needs nothing more"),
          e.getMessage());
    }
  }

  @Test
  void propertiesFile_withoutSnakeYaml_isRead() throws Throwable {
    Path properties = dir.resolve("cascade.properties");
    Files.writeString(
        properties,
        "cascade.redis.uri=redis://127.0.0.1:7799\ncascade.caches.users.expiry.created=10m\n");
    try (URLClassLoader loader = withoutSnakeYaml()) {
      Object settings = resolve(loader, properties.toUri());
      assertEquals(loader, settings.getClass().getClassLoader());
      assertEquals(
          "redis://127.0.0.1:7799", settings.getClass().getMethod("redisUri").invoke(settings));
      List<?> declared = (List<?>) settings.getClass().getMethod("declaredCaches").invoke(settings);
      assertEquals(1, declared.size());
    }
  }

  @Test
  void dataSource_withoutDbcp2_failsNamingTheArtifact() throws Exception {
    Path properties = dir.resolve("cascade.properties");
    Files.writeString(properties, "cascade.datasources.main.url=jdbc:mysql://127.0.0.1/test\n");
    try (URLClassLoader loader = without("commons-dbcp2")) {
      Throwable e = assertThrows(Throwable.class, () -> resolve(loader, properties.toUri()));
      assertEquals("javax.cache.CacheException", e.getClass().getName(), e.toString());
      assertTrue(
          e.getMessage()
              .endsWith(
                  "cascade.properties line 1: cascade.datasources.main: a data source is a DBCP2 pool,"
                      + " and DBCP2 is not on the class path: add org.apache.commons:commons-dbcp2"
                      + " (2.x) to your dependencies, with your database's JDBC driver"),
          e.getMessage());
    }
  }
}
