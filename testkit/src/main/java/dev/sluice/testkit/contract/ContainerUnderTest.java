package dev.sluice.testkit.contract;

import java.net.URI;
import java.util.Objects;

/** A running container hosting a web app with Sluice registered in front of the app's own pages. */
public interface ContainerUnderTest extends AutoCloseable {
  /** Base of the web app, including its context path, without a trailing slash. */
  URI baseUri();

  /** A path (relative to {@link #baseUri()}) the app itself answers with 200 to GET and POST. */
  String appPath();

  @Override
  void close();

  /** A started container at {@code baseUri}, which {@code close} stops. */
  static ContainerUnderTest of(URI baseUri, String appPath, Runnable close) {
    Objects.requireNonNull(baseUri, "baseUri == null");
    Objects.requireNonNull(appPath, "appPath == null");
    Objects.requireNonNull(close, "close == null");
    return new ContainerUnderTest() {
      @Override
      public URI baseUri() {
        return baseUri;
      }

      @Override
      public String appPath() {
        return appPath;
      }

      @Override
      public void close() {
        close.run();
      }

      @Override
      public String toString() {
        return baseUri.toString();
      }
    };
  }
}
