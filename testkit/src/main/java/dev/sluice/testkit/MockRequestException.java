package dev.sluice.testkit;

/** A request the mock refuses; becomes an Anthropic-shaped error response. */
final class MockRequestException extends RuntimeException {
  final int status;
  final String errorType;

  MockRequestException(int status, String errorType, String message) {
    super(message, null, false, false);
    this.status = status;
    this.errorType = errorType;
  }
}
