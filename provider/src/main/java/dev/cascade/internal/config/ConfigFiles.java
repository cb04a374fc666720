package dev.cascade.internal.config;

import dev.cascade.internal.support.Redaction;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import javax.cache.CacheException;

/**
 * Reads the configuration file a CacheManager URI names ({@code file:}, {@code classpath:}, {@code
 * jar:}): YAML when the name ends in {@code .yaml} or {@code .yml} (SnakeYAML must be on the class
 * path), else properties (no dependency). Placeholders in values are resolved here, so what comes
 * out is the file as the settings will read it, every value still knowing its line.
 */
final class ConfigFiles {

  /** The artifact a YAML file needs, as users add it to their build. */
  static final String SNAKEYAML = "org.yaml:snakeyaml";

  private ConfigFiles() {}

  static ConfigNode read(URI uri, ClassLoader loader, Placeholders placeholders) {
    // a file fetched over HTTP (jar:http://user:pw@...) may carry credentials too
    String name = Redaction.uri(uri);
    String raw = uri.toString();
    boolean yaml = raw.endsWith(".yaml") || raw.endsWith(".yml");
    if (yaml) {
      requireSnakeYaml(name);
    }
    String text;
    try (InputStream in = open(uri, loader)) {
      if (in == null) {
        throw new CacheException(
            "Cascade configuration '"
                + name
                + "' does not exist"
                + ("classpath".equals(uri.getScheme()) ? " on the class path" : ""));
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CacheException(
          "Cannot read Cascade configuration '"
              + name
              + "': "
              + Redaction.message(e.getMessage(), raw),
          Redaction.failure(e, raw));
    }
    ConfigNode tree = yaml ? YamlSource.parse(text, name) : PropertiesSource.parse(text, name);
    return tree.mapValues(placeholders::resolve);
  }

  private static void requireSnakeYaml(String file) {
    try {
      Class.forName("org.yaml.snakeyaml.Yaml", false, ConfigFiles.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new CacheException(
          "Cascade configuration '"
              + file
              + "' is YAML, and reading YAML needs SnakeYAML, which is not on the class path: add "
              + SNAKEYAML
              + " (2.x) to your dependencies, or write the same settings as a .properties file"
              + " (cascade.caches.users.expiry.created=10m), which needs nothing more");
    }
  }

  private static InputStream open(URI uri, ClassLoader loader) throws IOException {
    if ("classpath".equals(uri.getScheme())) {
      String path = uri.getSchemeSpecificPart();
      while (path.startsWith("/")) {
        path = path.substring(1);
      }
      ClassLoader cl = loader != null ? loader : ConfigFiles.class.getClassLoader();
      return cl.getResourceAsStream(path);
    }
    URL url = uri.toURL();
    try {
      return url.openStream();
    } catch (FileNotFoundException e) {
      return null;
    }
  }
}
