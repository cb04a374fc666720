package dev.cascade.hostile;

import java.io.Serializable;

/**
 * A bean whose getter has a side effect, standing in for {@code TemplatesImpl} in the
 * CommonsBeanutils1 chain: {@code BeanComparator} calls the getter its {@code property} names while
 * a {@code PriorityQueue} is deserialized. ({@code TemplatesImpl.getOutputProperties} would load
 * attacker bytecode; building one needs the JDK's internals opened, and the point is only that
 * deserialization is refused before any getter runs.)
 */
public final class Trigger implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String name;

  public Trigger(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public String getBoom() {
    SideEffects.fire();
    return name;
  }
}
