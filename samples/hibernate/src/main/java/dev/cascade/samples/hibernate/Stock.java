package dev.cascade.samples.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/**
 * How many of a product are in stock: written often, and a reader may tolerate a moment of
 * staleness. NONSTRICT_READ_WRITE in region {@value #REGION}: an update removes the entry before
 * and after its transaction, with no lock in between, so a load that read the old row while the
 * update ran can put the old value back; the region's TTL bounds how long that lasts
 * (docs/hibernate.md).
 */
@Entity
@Table(name = "stock")
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.NONSTRICT_READ_WRITE, region = Stock.REGION)
public class Stock {

  public static final String REGION = "catalog-stock";

  /** The product's id. */
  @Id private Long productId;

  @Column(nullable = false)
  private int quantity;

  protected Stock() {}

  public Stock(long productId, int quantity) {
    this.productId = productId;
    this.quantity = quantity;
  }

  public Long getProductId() {
    return productId;
  }

  public int getQuantity() {
    return quantity;
  }

  public void setQuantity(int quantity) {
    this.quantity = quantity;
  }

  @Override
  public String toString() {
    return "Stock[" + productId + ": " + quantity + "]";
  }
}
