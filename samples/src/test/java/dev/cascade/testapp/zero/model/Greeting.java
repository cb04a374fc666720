package dev.cascade.testapp.zero.model;

import java.io.Serializable;
import java.time.Instant;

/** The application's own value class, in a sub-package of its main class's package. */
public record Greeting(String text, Instant at, Visitor visitor) implements Serializable {

  /** Nested application class: the whole graph must be allowed. */
  public record Visitor(String name, int visits) implements Serializable {}
}
