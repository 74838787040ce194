package dev.sluice.example.tomcat;

import dev.sluice.testkit.contract.ShadedJarContract;

/** Runs {@code java -jar target/tomcat-example.jar} as a real process, as the README says to. */
class ShadedJarIT extends ShadedJarContract {

  ShadedJarIT() {
    super("tomcat-example", "Tomcat");
  }
}
