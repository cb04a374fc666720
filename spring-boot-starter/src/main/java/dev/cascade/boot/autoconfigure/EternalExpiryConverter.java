package dev.cascade.boot.autoconfigure;

import dev.cascade.boot.autoconfigure.CascadeProperties.Expiry;
import org.springframework.core.convert.converter.Converter;

/**
 * Reads {@code expiry: eternal}, the scalar form Cascade's configuration file allows beside the
 * section ({@code expiry: { created: 10m }}), so the same YAML works in both places.
 */
class EternalExpiryConverter implements Converter<String, Expiry> {

  @Override
  public Expiry convert(String source) {
    if (!"eternal".equalsIgnoreCase(source.trim())) {
      throw new IllegalArgumentException(
          "expected 'eternal', or a section with one of created, accessed, modified, touched and a"
              + " duration, found '"
              + source
              + "'");
    }
    Expiry expiry = new Expiry();
    expiry.setEternal(true);
    return expiry;
  }
}
