package dev.cascade.samples.boot;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /items/{id}}: GET, PUT ({@code {"name": "...", "quantity": 3}}), DELETE, and a report. */
@RestController
@RequestMapping("/items")
public class ItemController {

  /** The body of a PUT. */
  public record ItemBody(String name, int quantity) {}

  private final ItemRepository items;
  private final ItemReports reports;

  public ItemController(ItemRepository items, ItemReports reports) {
    this.items = items;
    this.reports = reports;
  }

  @GetMapping("/{id}")
  public ResponseEntity<Item> get(@PathVariable long id) {
    return ResponseEntity.of(items.find(id));
  }

  @PutMapping("/{id}")
  public Item put(@PathVariable long id, @RequestBody ItemBody body) {
    return items.save(new Item(id, body.name(), body.quantity()));
  }

  @DeleteMapping("/{id}")
  public ResponseEntity<Void> delete(@PathVariable long id) {
    return items.delete(id)
        ? ResponseEntity.noContent().build()
        : ResponseEntity.notFound().build();
  }

  @GetMapping("/{id}/report")
  public ItemReport report(@PathVariable long id) {
    return reports.report(id);
  }
}
