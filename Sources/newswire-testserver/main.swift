print("testserver")
