package dev.cascade.samples.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.annotations.Immutable;

/**
 * Reference data that never changes once written: READ_ONLY in region {@value #REGION}. Hibernate
 * refuses an update of an {@code @Immutable} entity, so no JVM can ever hold a stale copy, and the
 * region needs no locks at all.
 */
@Entity
@Table(name = "category")
@Immutable
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_ONLY, region = Category.REGION)
public class Category {

  public static final String REGION = "catalog-category";

  @Id private Long id;

  @Column(nullable = false, length = 100)
  private String name;

  protected Category() {}

  public Category(long id, String name) {
    this.id = id;
    this.name = name;
  }

  public Long getId() {
    return id;
  }

  public String getName() {
    return name;
  }

  @Override
  public String toString() {
    return "Category[" + id + ", " + name + "]";
  }
}
