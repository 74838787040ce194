/**
 * The disconnect-detector SPI: a container module implements {@link
 * dev.sluice.client.DisconnectDetector} and lists it in {@code
 * META-INF/services/dev.sluice.client.DisconnectDetector}; only JDK and Servlet API types appear
 * here, so the package can be shared from a server's class path (standalone Jetty).
 */
package dev.sluice.client;
