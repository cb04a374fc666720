package dev.cascade.testing;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One fixture per test class: started before all tests of the class (or earlier, when a test
 * constructor asks for it under {@code @TestInstance(PER_CLASS)}), closed after all of them, and
 * injected into any constructor or lifecycle/test method parameter of its type. A {@code @Nested}
 * class shares the fixture of its enclosing class.
 *
 * <p>The fixture lives in the JUnit store of the class's extension context under a key unique to
 * that context, so only the class that started it closes it. JUnit calls extensions from one thread
 * per class context, which is all the synchronisation this needs.
 */
abstract class FixtureExtension<T extends AutoCloseable>
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

  private final Class<T> type;
  private final Namespace namespace;

  FixtureExtension(Class<T> type) {
    this.type = type;
    this.namespace = Namespace.create(getClass());
  }

  /** Starts the fixture for the test class of {@code classContext}. */
  abstract T start(ExtensionContext classContext);

  @Override
  public void beforeAll(ExtensionContext context) {
    fixture(context);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    T fixture = context.getStore(namespace).remove(context.getUniqueId(), type);
    if (fixture != null) {
      fixture.close();
    }
  }

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == type;
  }

  @Override
  public Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return fixture(extensionContext);
  }

  private T fixture(ExtensionContext context) {
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      T existing = c.getStore(namespace).get(c.getUniqueId(), type);
      if (existing != null) {
        return existing;
      }
    }
    ExtensionContext owner = classContext(context);
    return owner
        .getStore(namespace)
        .getOrComputeIfAbsent(owner.getUniqueId(), key -> start(owner), type);
  }

  /** The nearest enclosing context whose element is the test class itself. */
  private static ExtensionContext classContext(ExtensionContext context) {
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      Optional<AnnotatedElement> element = c.getElement();
      if (element.isPresent() && element.get() instanceof Class) {
        return c;
      }
    }
    throw new IllegalStateException("no test class context above " + context.getUniqueId());
  }
}
