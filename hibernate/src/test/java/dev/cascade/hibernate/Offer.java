package dev.cascade.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** A READ_WRITE entity with a version, in the region {@value #REGION} of {@code offers.yaml}. */
@Entity
@Table(name = "offer")
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE, region = Offer.REGION)
public class Offer {

  static final String REGION = "offer";

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  private long priceCents;

  @Version private int version;

  protected Offer() {}

  Offer(long priceCents) {
    this.priceCents = priceCents;
  }

  Long getId() {
    return id;
  }

  long getPriceCents() {
    return priceCents;
  }

  void setPriceCents(long priceCents) {
    this.priceCents = priceCents;
  }
}
