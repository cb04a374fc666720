package dev.cascade.testapp.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

@Entity
@Table(name = "deser_author")
@Cache(usage = CacheConcurrencyStrategy.NONSTRICT_READ_WRITE)
public class Author {
  @Id public Long id;
  public String name;

  public Author() {}

  public Author(Long id, String name) {
    this.id = id;
    this.name = name;
  }
}
