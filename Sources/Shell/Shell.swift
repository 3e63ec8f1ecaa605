// Shell module
