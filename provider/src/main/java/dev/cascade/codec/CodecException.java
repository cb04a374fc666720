package dev.cascade.codec;

import javax.cache.CacheException;

/** A key or value could not be turned into bytes, or bytes could not be turned back. */
public class CodecException extends CacheException {

  public CodecException(String message) {
    super(message);
  }

  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
