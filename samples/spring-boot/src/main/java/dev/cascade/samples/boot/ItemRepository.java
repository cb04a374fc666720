package dev.cascade.samples.boot;

import java.util.Optional;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.springframework.stereotype.Repository;

/**
 * Items, through the {@code items} cache: a miss reads through from the table, a save returns as
 * soon as Redis has it and reaches the table in the next batch (write-behind).
 */
@Repository
public class ItemRepository {

  private final Cache<Long, Item> items;

  public ItemRepository(CacheManager cacheManager) {
    this.items = cacheManager.getCache("items", Long.class, Item.class);
  }

  public Optional<Item> find(long id) {
    return Optional.ofNullable(items.get(id));
  }

  public Item save(Item item) {
    items.put(item.id(), item);
    return item;
  }

  public boolean delete(long id) {
    return items.remove(id);
  }
}
