package dev.cascade.testapp.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.annotations.Immutable;

@Entity
@Immutable
@Table(name = "deser_country")
@Cache(usage = CacheConcurrencyStrategy.READ_ONLY)
public class Country {
  @Id public String code;
  public String name;

  public Country() {}

  public Country(String code, String name) {
    this.code = code;
    this.name = name;
  }
}
