"""One-time SMS codes and the gateways that deliver them."""
