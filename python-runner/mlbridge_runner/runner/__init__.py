"""The consume → dispatch → reply machinery."""
