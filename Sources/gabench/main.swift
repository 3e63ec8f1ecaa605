print("gabench")
