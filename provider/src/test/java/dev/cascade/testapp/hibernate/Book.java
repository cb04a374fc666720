package dev.cascade.testapp.hibernate;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.annotations.NaturalId;
import org.hibernate.annotations.NaturalIdCache;

/**
 * An entity with what cache entries hold: basic JDK values, an application enum and embeddable, a
 * version, a many-to-one, a cached collection and element collection, a natural id.
 */
@Entity
@Table(name = "deser_book")
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
@NaturalIdCache
public class Book {
  @Id public Long id;
  @NaturalId public String isbn;
  public String title;
  @Version public int version;

  @Enumerated(EnumType.STRING)
  public Genre genre;

  public BigDecimal price;
  public LocalDate published;
  public Instant indexed;
  @Embedded public Dimensions dimensions;
  @ManyToOne public Author author;
  @ManyToOne public Country country;

  @OneToMany(mappedBy = "book")
  @Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
  public List<Chapter> chapters = new ArrayList<>();

  @ElementCollection
  @CollectionTable(name = "deser_book_tags")
  @Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
  public Set<String> tags = new HashSet<>();

  public Book() {}
}
