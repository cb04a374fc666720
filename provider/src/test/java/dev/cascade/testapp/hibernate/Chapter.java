package dev.cascade.testapp.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

@Entity
@Table(name = "deser_chapter")
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Chapter {
  @Id public Long id;
  public String title;
  @ManyToOne public Book book;

  public Chapter() {}

  public Chapter(Long id, String title, Book book) {
    this.id = id;
    this.title = title;
    this.book = book;
  }
}
