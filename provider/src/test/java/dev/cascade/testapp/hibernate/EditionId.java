package dev.cascade.testapp.hibernate;

import jakarta.persistence.Embeddable;
import java.io.Serializable;
import java.util.Objects;

/** A composite id: its cache keys hold it disassembled. */
@Embeddable
public class EditionId implements Serializable {
  public String isbn;
  public int number;

  public EditionId() {}

  public EditionId(String isbn, int number) {
    this.isbn = isbn;
    this.number = number;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EditionId e && e.isbn.equals(isbn) && e.number == number;
  }

  @Override
  public int hashCode() {
    return Objects.hash(isbn, number);
  }
}
