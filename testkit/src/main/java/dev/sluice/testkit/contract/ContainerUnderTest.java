package dev.sluice.testkit.contract;

import java.net.URI;

/** A running container hosting a web app with Sluice registered in front of the app's own pages. */
public interface ContainerUnderTest extends AutoCloseable {
  /** Base of the web app, including its context path, without a trailing slash. */
  URI baseUri();

  /** A path (relative to {@link #baseUri()}) the app itself answers with 200 to GET and POST. */
  String appPath();

  @Override
  void close();
}
