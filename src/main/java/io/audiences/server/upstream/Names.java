package io.audiences.server.upstream;

/** Word lists of the synthetic generator. Order matters: changing a list changes the generated data. */
final class Names {

    private Names() {
    }

    static final String[] MALE = {"James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
        "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Paul", "Andrew", "Joshua", "Kevin", "Brian", "George",
        "Timothy", "Ryan", "Jacob", "Nicholas", "Eric", "Jonathan", "Stephen", "Justin", "Samuel", "Raj", "Wei", "Luis",
        "Carlos", "Ahmed", "Hiroshi", "Lukas", "Pierre", "Oliver", "Noah"};
    static final String[] FEMALE = {"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
        "Sarah", "Karen", "Lisa", "Nancy", "Sandra", "Ashley", "Emily", "Michelle", "Amanda", "Melissa", "Deborah",
        "Stephanie", "Rebecca", "Laura", "Sharon", "Cynthia", "Amy", "Anna", "Priya", "Mei", "Sofia", "Maria", "Fatima",
        "Yuki", "Hannah", "Claire", "Olivia", "Emma", "Chloe", "Isabella", "Ana", "Ines"};
    static final String[] LAST = {"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
        "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
        "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
        "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Patel", "Shah", "Chen", "Wang", "Kim", "Tanaka", "Muller",
        "Schmidt", "Dubois", "O'Brien", "Murphy", "Kelly", "Cohen", "Singh", "Kumar", "Rossi", "Silva", "Costa", "Novak",
        "Jensen"};
    static final String[] MAIL_DOMAINS = {"gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com",
        "icloud.com", "aol.com"};
    /** {city, state, state code, zip prefix, country}. US-heavy, like the upstream data. */
    static final String[][] CITIES = {
        {"New York", "New York", "NY", "100", "US"}, {"Brooklyn", "New York", "NY", "112", "US"},
        {"Los Angeles", "California", "CA", "900", "US"}, {"San Francisco", "California", "CA", "941", "US"},
        {"San Diego", "California", "CA", "921", "US"}, {"San Jose", "California", "CA", "951", "US"},
        {"Chicago", "Illinois", "IL", "606", "US"}, {"Houston", "Texas", "TX", "770", "US"},
        {"Austin", "Texas", "TX", "787", "US"}, {"Dallas", "Texas", "TX", "752", "US"},
        {"Phoenix", "Arizona", "AZ", "850", "US"}, {"Philadelphia", "Pennsylvania", "PA", "191", "US"},
        {"Seattle", "Washington", "WA", "981", "US"}, {"Denver", "Colorado", "CO", "802", "US"},
        {"Boston", "Massachusetts", "MA", "021", "US"}, {"Atlanta", "Georgia", "GA", "303", "US"},
        {"Miami", "Florida", "FL", "331", "US"}, {"Orlando", "Florida", "FL", "328", "US"},
        {"Minneapolis", "Minnesota", "MN", "554", "US"}, {"Portland", "Oregon", "OR", "972", "US"},
        {"Nashville", "Tennessee", "TN", "372", "US"}, {"Charlotte", "North Carolina", "NC", "282", "US"},
        {"Raleigh", "North Carolina", "NC", "276", "US"}, {"Columbus", "Ohio", "OH", "432", "US"},
        {"Detroit", "Michigan", "MI", "482", "US"}, {"Salt Lake City", "Utah", "UT", "841", "US"},
        {"London", "England", "ENG", "EC1", "GB"}, {"Manchester", "England", "ENG", "M1 ", "GB"},
        {"Toronto", "Ontario", "ON", "M5V", "CA"}, {"Vancouver", "British Columbia", "BC", "V6B", "CA"},
        {"Berlin", "Berlin", "BE", "101", "DE"}, {"Munich", "Bavaria", "BY", "803", "DE"},
        {"Paris", "Ile-de-France", "IDF", "750", "FR"}, {"Sydney", "New South Wales", "NSW", "20", "AU"},
        {"Bengaluru", "Karnataka", "KA", "560", "IN"}, {"Amsterdam", "North Holland", "NH", "101", "NL"}};
    static final String[] DEPARTMENTS = Upstream.DEPARTMENTS.toArray(String[]::new);
    static final String[] CXO = {"Chief Technology Officer", "Chief Revenue Officer", "Chief Marketing Officer",
        "Chief Financial Officer", "Chief People Officer", "Chief Operating Officer", "Chief Information Officer",
        "General Counsel", "Chief Customer Officer", "Chief Product Officer", "Chief Procurement Officer"};
    static final String[] STAFF = {"Software Engineer", "Account Executive", "Marketing Specialist", "Financial Analyst",
        "HR Generalist", "Operations Analyst", "Systems Administrator", "Paralegal", "Customer Success Specialist",
        "Product Analyst", "Buyer"};
    static final String[] INDUSTRIES = {"Software", "Information Technology and Services", "Financial Services", "Banking",
        "Insurance", "Hospital and Health Care", "Pharmaceuticals", "Retail", "Consumer Goods", "Manufacturing",
        "Automotive", "Construction", "Real Estate", "Telecommunications", "Marketing and Advertising", "Education",
        "Government Administration", "Logistics and Supply Chain", "Energy", "Media and Entertainment",
        "Hospitality", "Legal Services", "Nonprofit", "Food and Beverages"};
    static final String[] COMPANY_PREFIXES = {"Blue", "North", "Bright", "Summit", "Pioneer", "Silver", "Apex", "Green",
        "Red", "Atlas", "Nova", "Quantum", "Harbor", "Granite", "Evergreen", "Vertex", "Cedar", "Pacific", "Iron", "Lumen",
        "Orbit", "Crescent", "Falcon", "Maple"};
    static final String[] COMPANY_NOUNS = {"Analytics", "Systems", "Health", "Logistics", "Capital", "Labs", "Foods",
        "Energy", "Media", "Networks", "Dynamics", "Partners", "Software", "Robotics", "Retail", "Motors", "Bank",
        "Insurance", "Pharma", "Studios"};
    static final String[] COMPANY_SUFFIXES = {"Inc.", "LLC", "Corp.", "Group", "Ltd.", "Co.", "GmbH", "Holdings"};
    /** {name, description}; the first {@code n} are used. */
    static final String[][] CATEGORIES = {
        {"Technology", "Software, hardware, cloud and IT services."},
        {"Business Services", "Services companies buy to run their business."},
        {"Finance", "Banking, payments, lending and corporate finance."},
        {"Marketing", "Advertising, demand generation and brand."},
        {"Healthcare", "Care delivery, medical devices and health IT."},
        {"Human Resources", "Recruiting, payroll, benefits and workforce management."},
        {"Security", "Cybersecurity and physical security."},
        {"Sales", "Sales tools, methods and enablement."},
        {"Data and Analytics", "Data platforms, BI and machine learning."},
        {"Consumer Electronics", "Devices people buy for themselves."},
        {"Travel", "Trips, lodging and transport."},
        {"Automotive", "Vehicles, parts and mobility."},
        {"Real Estate", "Commercial and residential property."},
        {"Education", "Schools, courses and learning technology."},
        {"Retail", "Stores, e-commerce and merchandising."},
        {"Energy", "Power, utilities and renewables."},
        {"Legal", "Legal services, compliance and contracts."},
        {"Manufacturing", "Production, industrial equipment and supply chain."},
        {"Telecommunications", "Networks, carriers and connectivity."},
        {"Media", "Publishing, streaming and entertainment."},
        {"Insurance", "Commercial and personal insurance."},
        {"Government", "Public sector programs and procurement."},
        {"Food and Beverage", "Food, drink and restaurants."},
        {"Home and Garden", "Home improvement, furniture and gardening."},
        {"Personal Finance", "Saving, investing and credit for individuals."},
        {"Health and Fitness", "Fitness, nutrition and wellness."},
        {"Family and Parenting", "Children, parenting and family life."},
        {"Fashion", "Clothing, footwear and accessories."},
        {"Sports", "Sports, teams and equipment."},
        {"Hobbies", "Crafts, games and collecting."},
        {"Pets", "Pet care and supplies."},
        {"Science", "Research, laboratories and scientific equipment."},
        {"Nonprofit", "Charities, fundraising and volunteering."},
        {"Logistics", "Shipping, freight and warehousing."}};
    static final String[] SUBCATEGORY_NOUNS = {"Platforms", "Services", "Software", "Strategy", "Operations", "Hardware",
        "Compliance", "Consulting", "Tools", "Infrastructure", "Products", "Trends", "Providers", "Management", "Solutions",
        "Equipment", "Research", "Programs", "Standards", "Marketplaces"};
    static final String[] TOPIC_PREFIXES = {"Cloud", "Kubernetes", "Zero Trust", "Payroll", "CRM", "ERP", "Data Warehouse",
        "Email", "Endpoint", "Identity", "Mobile", "Video", "AI", "Machine Learning", "Network", "Customer", "Supply Chain",
        "Expense", "Tax", "Benefits", "Recruiting", "Content", "SEO", "Retail", "Electric Vehicle", "Solar", "Mortgage",
        "Credit Card", "Travel", "Fitness", "Streaming", "Gaming", "Home Security", "Pet Insurance", "Wedding", "Student Loan",
        "Smart Home", "Cybersecurity", "Observability", "DevOps"};
    static final String[] TOPIC_NOUNS = {"Cost Optimization", "Migration", "Platforms", "Vendors", "Pricing", "Best Practices",
        "Software", "Services", "Automation", "Analytics", "Security", "Compliance", "Integration", "Training", "Outsourcing",
        "Consulting", "Hardware", "Financing", "Comparison", "Reviews", "Adoption", "Management", "Tools", "Strategy",
        "Deals", "Subscriptions", "Insurance", "Certification", "Monitoring", "Marketplaces"};
}
