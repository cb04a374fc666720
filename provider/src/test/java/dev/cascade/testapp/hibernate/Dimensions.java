package dev.cascade.testapp.hibernate;

import jakarta.persistence.Embeddable;
import java.io.Serializable;

/** An embeddable: disassembled into an Object[] of its attributes. */
@Embeddable
public class Dimensions implements Serializable {
  public int width;
  public int height;

  public Dimensions() {}

  public Dimensions(int width, int height) {
    this.width = width;
    this.height = height;
  }
}
