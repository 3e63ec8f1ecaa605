// main.swift — placeholder entry point until the shell lands.
print("gashell")
