"""ackstack: an ACK managed Pro cluster with a container network that is right the first time."""

from components.program import main

main()
