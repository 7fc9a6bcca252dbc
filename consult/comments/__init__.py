"""Comments: threaded messages on a section, in plenary or in one constituency's caucus."""
