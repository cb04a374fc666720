package dev.cascade.testapp.hibernate;

import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

@Entity
@Table(name = "deser_edition")
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Edition {
  @EmbeddedId public EditionId id;
  public int copies;

  public Edition() {}

  public Edition(EditionId id, int copies) {
    this.id = id;
    this.copies = copies;
  }
}
