// End-to-end tests run the real CLI: minutes, not seconds.
jest.setTimeout(10 * 60_000);
