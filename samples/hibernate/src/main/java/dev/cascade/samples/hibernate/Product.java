package dev.cascade.samples.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.util.LinkedHashSet;
import java.util.Set;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.annotations.NaturalId;
import org.hibernate.annotations.NaturalIdCache;

/**
 * A product: changes now and then, read all the time. READ_WRITE in the entity region {@value
 * #REGION}, its tags in the collection region {@value #TAGS_REGION}, the lookup by SKU in the
 * natural-id region {@value #SKU_REGION}.
 *
 * <p>The version column is what READ_WRITE compares when a load and an update race: an entry is
 * replaced only by a newer version (docs/hibernate.md).
 */
@Entity
@Table(name = "product")
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE, region = Product.REGION)
@NaturalIdCache(region = Product.SKU_REGION)
public class Product {

  /** The entity region: one Cascade cache, declared in {@code hibernate-cascade.yaml}. */
  public static final String REGION = "catalog-product";

  /** The collection region of {@link #getTags()}: the tag values of each product. */
  public static final String TAGS_REGION = "catalog-product-tags";

  /** The natural-id region: SKU to id. */
  public static final String SKU_REGION = "catalog-product-sku";

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @NaturalId
  @Column(nullable = false, length = 32)
  private String sku;

  @Column(nullable = false, length = 200)
  private String name;

  @Column(nullable = false)
  private long priceCents;

  @Version private long version;

  @ElementCollection
  @CollectionTable(name = "product_tag", joinColumns = @JoinColumn(name = "product_id"))
  @Column(name = "tag", length = 50)
  @Cache(usage = CacheConcurrencyStrategy.READ_WRITE, region = Product.TAGS_REGION)
  private Set<String> tags = new LinkedHashSet<>();

  protected Product() {}

  public Product(String sku, String name, long priceCents, Set<String> tags) {
    this.sku = sku;
    this.name = name;
    this.priceCents = priceCents;
    this.tags.addAll(tags);
  }

  public Long getId() {
    return id;
  }

  public String getSku() {
    return sku;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public long getPriceCents() {
    return priceCents;
  }

  public void setPriceCents(long priceCents) {
    this.priceCents = priceCents;
  }

  public long getVersion() {
    return version;
  }

  /** Lazy: read it inside a session (or through {@link Catalog#tags(long)}). */
  public Set<String> getTags() {
    return tags;
  }

  @Override
  public String toString() {
    return "Product[" + id + ", " + sku + ", " + name + ", " + priceCents + "c, v" + version + "]";
  }
}
