package dev.cascade.boot.autoconfigure;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.env.Environment;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PropertiesLoaderUtils;

/**
 * A list setting ({@code cascade.codec.allow}, {@code cascade.codec.application-packages}) of the
 * Cascade file Boot hands to the CacheManager ({@code spring.cache.jcache.config}). The starter
 * passes its own values of these as CacheManager properties, and a property replaces the file's
 * value of the same key: so the file's entries go into the property too, instead of being lost.
 */
final class FileAllowList {

  private FileAllowList() {}

  static List<String> read(
      Environment environment, ConfigurableListableBeanFactory beans, String key) {
    String location = environment.getProperty(CascadeEnvironmentPostProcessor.CONFIG);
    if (location == null || location.isBlank()) {
      return List.of();
    }
    Resource resource = new DefaultResourceLoader(beans.getBeanClassLoader()).getResource(location);
    if (!resource.exists()) {
      return List.of(); // Boot fails on it with its own message
    }
    Properties flat;
    String name = String.valueOf(resource.getFilename());
    if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
      yaml.setResources(resource);
      flat = yaml.getObject();
    } else {
      try {
        flat = PropertiesLoaderUtils.loadProperties(resource);
      } catch (IOException e) {
        return List.of(); // the CacheManager reads the file again and says what is wrong
      }
    }
    List<String> patterns = new ArrayList<>();
    // a YAML list flattens to key[0], key[1]...
    for (Object value :
        new TreeMap<>(flat)
            .entrySet().stream()
                .filter(e -> String.valueOf(e.getKey()).matches(Pattern.quote(key) + "(\\[\\d+])?"))
                .map(e -> e.getValue())
                .toList()) {
      for (String p : String.valueOf(value).split("[;,]")) {
        if (!p.isBlank()) {
          patterns.add(p.trim());
        }
      }
    }
    return patterns;
  }
}
