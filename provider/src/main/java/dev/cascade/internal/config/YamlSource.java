package dev.cascade.internal.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.cache.CacheException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML file as a tree, read with SnakeYAML (an optional dependency: this class is loaded only
 * when a YAML file is named and {@link ConfigFiles} found SnakeYAML). The file is composed into
 * SnakeYAML's nodes, not loaded into maps, so every setting keeps its line. No object is ever
 * constructed from the file (no tags, no types): only text.
 */
final class YamlSource {

  private YamlSource() {}

  static ConfigNode parse(String text, String source) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // reported below with both lines, not by SnakeYAML
    options.setMaxAliasesForCollections(50);
    Node document;
    try {
      document = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String where = mark == null ? source : source + " line " + (mark.getLine() + 1);
      throw new CacheException(
          where
              + ": not valid YAML: "
              + (e.getContext() == null ? "" : e.getContext() + ", ")
              + e.getProblem(),
          e);
    } catch (YAMLException e) {
      throw new CacheException(source + ": not valid YAML: " + e.getMessage(), e);
    }
    ConfigNode root = ConfigNode.section("", source, 0);
    if (document == null) {
      return root; // an empty file
    }
    if (!(document instanceof MappingNode)) {
      throw ConfigNode.value("", source, line(document), null)
          .fail("expected 'cascade:' and its settings at the top of the file");
    }
    fill(root, (MappingNode) document, source);
    return root;
  }

  private static void fill(ConfigNode section, MappingNode mapping, String source) {
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      int line = line(keyNode);
      if (!(keyNode instanceof ScalarNode)) {
        throw ConfigNode.value(section.key(), source, line, null).fail("a key must be plain text");
      }
      if (keyNode.getTag().equals(Tag.MERGE)) {
        throw ConfigNode.value(section.key(), source, line, null)
            .fail("YAML merge keys (<<) are not supported; share settings with 'template:'");
      }
      String name = ((ScalarNode) keyNode).getValue();
      section.add(
          name, node(ConfigNode.childKey(section.key(), name), tuple.getValueNode(), line, source));
    }
  }

  private static ConfigNode node(String key, Node value, int line, String source) {
    if (value instanceof MappingNode) {
      ConfigNode section = ConfigNode.section(key, source, line);
      fill(section, (MappingNode) value, source);
      return section;
    }
    if (value instanceof SequenceNode) {
      List<ConfigNode> items = new ArrayList<>();
      for (Node item : ((SequenceNode) value).getValue()) {
        if (!(item instanceof ScalarNode)) {
          throw ConfigNode.value(key, source, line(item), null)
              .fail("a list may hold only values here");
        }
        items.add(ConfigNode.value(key, source, line(item), ((ScalarNode) item).getValue()));
      }
      return ConfigNode.list(key, source, line, items);
    }
    ScalarNode scalar = (ScalarNode) value;
    // "key:" with nothing after it is YAML's null: an empty value (or an empty section)
    return ConfigNode.value(
        key, source, line, scalar.getTag().equals(Tag.NULL) ? null : scalar.getValue());
  }

  private static int line(Node node) {
    return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }
}
