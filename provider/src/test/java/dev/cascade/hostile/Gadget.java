package dev.cascade.hostile;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for a gadget class: its {@code readObject} has a side effect (here it only counts), as
 * a real gadget's would run a command or open a connection. A test passes when the count stays 0.
 * In a package of its own, so allowing it never allows the tests' other classes.
 */
public final class Gadget implements Serializable {

  private static final long serialVersionUID = 1L;

  /** How often Java deserialization has created a Gadget. */
  public static final AtomicInteger READS = new AtomicInteger();

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    READS.incrementAndGet();
  }
}
