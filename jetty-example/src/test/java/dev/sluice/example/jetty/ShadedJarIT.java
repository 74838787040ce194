package dev.sluice.example.jetty;

import dev.sluice.testkit.contract.ShadedJarContract;

/** Runs {@code java -jar target/jetty-example.jar} as a real process, as the README says to. */
class ShadedJarIT extends ShadedJarContract {

  ShadedJarIT() {
    super("jetty-example", "Jetty");
  }
}
