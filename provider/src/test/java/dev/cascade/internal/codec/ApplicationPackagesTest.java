package dev.cascade.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApplicationPackagesTest {

  @Test
  void derive_applicationMainClass_allowsItsPackageAndSubPackages() {
    ApplicationPackages.Derived d = ApplicationPackages.derive("com.acme.shop.ShopApplication");

    assertEquals("com.acme.shop", d.pkg());
    assertTrue(d.message().contains("com.acme.shop.**"), d.message());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Main", // default package
        "app.Main", // one segment
        "org.apache.catalina.startup.Bootstrap",
        "org.apache.maven.surefire.booter.ForkedBooter",
        "worker.org.gradle.process.internal.worker.GradleWorkerMain",
        "org.springframework.boot.loader.launch.JarLauncher",
        "org.codehaus.plexus.classworlds.launcher.Launcher",
        "com.intellij.rt.junit.JUnitStarter",
        "jdk.internal.misc.MainMethodFinder",
        "com.sun.tools.javac.launcher.Main",
        "org.hibernate.tool.Main",
        "dev.cascade.Main", // Cascade's own root package
        "dev.cascade.internal.tools.Main",
        "com.google.Main" // covers a library's namespace? it is one
      })
  void derive_launcherOrTooBroadPackage_allowsNothing(String mainClass) {
    ApplicationPackages.Derived d = ApplicationPackages.derive(mainClass);

    assertNull(d.pkg(), mainClass);
    assertTrue(d.message().contains("cascade.codec.allow"), d.message());
  }

  @Test
  void tooBroad_packageCoveringALibrary_isRefused() {
    assertNotNull(ApplicationPackages.tooBroad("org.springframework"));
    assertNotNull(ApplicationPackages.tooBroad("worker.org"));
    assertNull(ApplicationPackages.tooBroad("dev.cascade.samples"));
    assertNull(ApplicationPackages.tooBroad("org.acme"));
  }

  @Test
  void fromCommand_classModuleAndArguments() {
    assertEquals("com.acme.App", ApplicationPackages.fromCommand("com.acme.App --port 8080"));
    assertEquals("com.acme.App", ApplicationPackages.fromCommand("acme.module/com.acme.App"));
    assertNull(ApplicationPackages.fromCommand(""));
    assertNull(ApplicationPackages.fromCommand("9lives --x"));
  }

  @Test
  void fromCommand_springBootJar_takesStartClass(@TempDir Path dir) throws IOException {
    Path jar = dir.resolve("my app.jar");
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes()
        .put(Attributes.Name.MAIN_CLASS, "org.springframework.boot.loader.launch.JarLauncher");
    m.getMainAttributes().putValue("Start-Class", "com.acme.shop.ShopApplication");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out, m)) {
      j.flush();
    }

    assertEquals(
        "com.acme.shop.ShopApplication", ApplicationPackages.fromCommand(jar + " --debug"));
  }

  @Test
  void patterns_configuredPackages_addedUnlessTooBroad() {
    var patterns = ApplicationPackages.patterns("com.acme.billing, org.apache, com.acme.shop.**");

    assertTrue(patterns.contains("com.acme.billing.**"), patterns.toString());
    assertTrue(patterns.contains("com.acme.shop.**"), patterns.toString());
    assertFalse(patterns.contains("org.apache.**"), patterns.toString());
  }
}
